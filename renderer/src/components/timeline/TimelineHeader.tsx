import { Ticks } from './Ticks.js';

interface Props {
  from: number;
  to: number;
  nameWidth: number;
}

export function TimelineHeader({ from, to, nameWidth }: Props) {
  return (
    <div className="timeline-header">
      <div className="timeline-header-name" style={{ width: nameWidth }}>
        Service &amp; operation
      </div>
      <div className="timeline-header-ticks">
        <Ticks from={from} to={to} labels />
      </div>
    </div>
  );
}
