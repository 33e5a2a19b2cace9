import { Link } from 'react-router-dom';
import { Empty } from '../components/States';
import { useT } from '../i18n';

export function NotFound() {
  const t = useT();
  return (
    <div data-testid="page-not-found">
      <Empty
        title={t('notFound.title')}
        action={
          <Link to="/" className="btn btn-primary">
            {t('notFound.back')}
          </Link>
        }
      />
    </div>
  );
}
